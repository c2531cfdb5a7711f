"""Procurement spreadsheets: read a buyer's quote sheet, match its rows to the database, write scored sheets."""
