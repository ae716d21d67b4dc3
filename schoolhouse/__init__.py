"""Schoolhouse: a K-12 student data warehouse.

The Python is layered so that data and imports flow one way; a module imports only from its own
layer's foundations or from layers below it (``tests/test_architecture.py`` checks this):

0. foundation (this package): ``catalog`` (sources, entities, vendors), ``settings`` (the one
   settings object), ``warehouse`` (the engine), ``raw_meta`` (the record of loads, pushes and
   runs), ``app_store`` (what people write through the dashboards, kept outside what dbt builds),
   ``sftp`` (the transport), ``dbt_runner``, ``console``, ``private_files`` (owner-only files),
   ``generation`` (what a command writes, published to readers at once), ``journal`` (what each
   generation did, kept with the archive) and ``notify`` (email and webhook alerts)
1. the steps, each a package of its own: ``loaders`` (fetch, archive, read, load into raw_*),
   ``exports`` (export views → files → folder or SFTP), ``dashboards`` (the Streamlit app, reads
   marts only) and ``generator`` (the synthetic district, a tool for demos, tests and benchmarks)
2. orchestration: ``build`` (raw tables + dbt build), ``nightly`` (fetch → load → build → export),
   ``replay`` (the archive's journal played back into an empty warehouse), ``spark`` (the same
   dbt build on a local Spark, over the raw tables landed as Parquet)
3. the command line: ``cli``
"""
