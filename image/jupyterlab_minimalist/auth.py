"""A token (or password) is always required: even `jupyter lab --IdentityProvider.token=''` on the
command line, which the config file cannot overrule, stops the server instead of serving everyone."""

import sys

from jupyter_server.auth.identity import PasswordIdentityProvider

from .settings import EXIT_BAD_SETTING, token_problem


class TokenRequired(PasswordIdentityProvider):
    def validate_security(self, app, ssl_options=None):
        if not self.auth_enabled:
            print("error: an empty token with no password would let anyone who reaches the port run code: "
                  "drop the empty --IdentityProvider.token (JUPYTER_TOKEN unset means a random token)",
                  file=sys.stderr, flush=True)
            sys.exit(EXIT_BAD_SETTING)
        # A token from the command line gets the check JUPYTER_TOKEN had (settings.py).
        problem = self.token and token_problem("the token", self.token)
        if problem:
            print(f"error: {problem}", file=sys.stderr, flush=True)
            sys.exit(EXIT_BAD_SETTING)
        super().validate_security(app, ssl_options)
