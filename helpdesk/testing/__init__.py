"""The servers that tests, benchmarks and the demo run on loopback; never imported by the
product (the import contract in pyproject.toml holds that).

- ``loopback``: HOST, ``free_port``/``free_ports``, a self-signed ``Certificate``;
- ``imap``: a private Dovecot (``dovecot_server``, ``remote_relay``) and pymap;
- ``smtp``: aiosmtpd with one ``Sink`` (``smtp_server``, ``SmtpServer``); it needs aiosmtpd,
  from the ``test`` extra, which is why this package imports none of its modules itself.
"""
