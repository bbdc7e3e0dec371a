"""Dossiers (hồ sơ): plans, building, metadata, closing, hand-over, retention and disposition."""
