"""Vendor roster exports: the dbt export views → exact files → a folder or an SFTP server.

``files`` reads what the dbt project declares (file names, headers) and renders the bytes;
``destinations`` writes them all-or-nothing; ``push`` puts the two behind the shrink guard and
records every attempt in ``raw_meta.exports``.
"""
