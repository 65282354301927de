"""`hallcall install ROLE` / `hallcall uninstall ROLE`: one Pi, one role, set up by systemd.

In the core part so that the first thing a fresh Pi installs (hallcall-core) can set up the rest;
it imports no other part (the roles name them as distributions and checkout folders only).
"""
