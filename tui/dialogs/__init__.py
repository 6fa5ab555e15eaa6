"""Dialogs that several screens open: they return what the user chose and know no screen."""
