"""The partner-facing dashboard server: Voila behind a sign-in page.

* ``launch``: ``portfolio-kit serve`` options, Voila's configuration, the kernels' environment
* ``app``: the Voila application with our routes (sign-in, home, health, verified request info)
* ``identity``: the jupyter_server identity provider and the sign-in/out pages' handlers
* ``sessions``: the signed session cookie, checked by the server and by every dashboard kernel
* ``keys``: the cookie-signing secret file; ``throttle``: sign-in attempts counted in the
  database before the password check; ``static_files``: Voila's files for signed-in people only
* ``accounts``: sign-in and account look-ups against the users table; ``pages``: HTML

Nothing here is imported by ``import portfolio_kit``; Voila and tornado load
only when the server starts.
"""
