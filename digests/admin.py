"""Admin views of subscriptions and deliveries, for support questions ("did my digest go out?")."""

from django.contrib import admin

from digests.models import DigestDelivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "frequency", "size", "topic", "confirmed", "unsubscribed_at"]
    list_filter = ["frequency", "confirmed"]
    search_fields = ["email", "topic"]
    exclude = ["secret"]
    raw_id_fields = ["user"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["period_key", "subscription", "status", "paper_count", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subscription__email", "period_key"]
    raw_id_fields = ["subscription"]
