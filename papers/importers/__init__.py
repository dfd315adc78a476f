"""Importers: each source is parsed into ``PaperRecord`` objects that ``papers.services``
writes. Parsers never touch the database; the write service never parses."""
