# `%pip install X` in a notebook of this image. The image's venv is locked (and has no pip): the
# packages go to a throwaway site under HOME instead (NOTEBOOK_PACKAGES to choose another folder,
# e.g. a volume), gone with the container, and a note says how to lock them for good.
# Every IPython kernel runs this file at start (ipython_kernel_config.py); it leaves no names behind.


def _notebook_pip():
    import importlib
    import importlib.metadata
    import os
    import re
    import shlex
    import site
    import sys

    from IPython import get_ipython

    shell = get_ipython()
    root = os.environ.get("NOTEBOOK_PACKAGES") or os.path.join(os.path.expanduser("~"), ".local", "notebook-packages")
    sitedir = os.path.join(root, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}", "site-packages")
    tools = os.path.join(root, "pip")  # the base Python's own pip, in a venv of its own, made on first use
    with_value = {"-r", "-c", "-e", "-i", "-f", "--requirement", "--constraint", "--index-url", "--extra-index-url",
                  "--find-links", "--platform", "--python-version", "--cert", "--proxy", "--timeout"}
    told = []

    if os.path.isdir(sitedir):  # what an earlier kernel of this container installed
        site.addsitedir(sitedir)

    def locked(name):
        """The version the image's lock installed in its venv, or None."""
        try:
            found = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            return None
        return found.version if str(found.locate_file("")).startswith(sys.prefix + os.sep) else None

    def pip(line):
        """pip for this notebook: `%pip install X` installs into a throwaway site under HOME, never
        into the image's locked venv; list, show, freeze and uninstall see that site too."""
        args = shlex.split(line)
        specs = [a for i, a in enumerate(args[1:], 1) if not a.startswith("-") and args[i - 1] not in with_value]
        # Requirements by name (not paths, URLs or files): the ones a lock can hold.
        names = [s for s in specs if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*([<>=!~].*)?", s)]
        if args[:1] in (["install"], ["uninstall"]):
            for spec in names:
                name = re.match(r"[A-Za-z0-9._-]+", spec).group()
                version = locked(name)
                if version and args[0] == "install":  # pip would try to replace it in the read-only venv
                    print(f"{name} {version} is pinned by the image's lock, so a notebook cannot change it: to "
                          f"upgrade it, run on the host `scripts/lock upgrade {name}` (after setting the version "
                          f"you want in requirements.in, for another one), then rebuild.")
                elif version:
                    print(f"{name} {version} is pinned by the image's lock, so a notebook cannot remove it: the "
                          f"image's venv is read-only; `%pip uninstall` removes only what `%pip install` put in "
                          f"{sitedir}.")
                if version:
                    shell.user_ns["_exit_code"] = 1
                    return
        python = os.path.join(tools, "bin", "python")  # run, not its scripts: /tmp is mounted noexec
        if not os.path.exists(python):
            print("Setting up pip for notebook installs (once per container) ...", flush=True)
            shell.system(shlex.join([sys.executable, "-m", "venv", tools]))
        # The site's own folder as a venv (no pip, no packages of its own): pip removes only what is
        # inside the environment it runs for, and the image's venv is not where %pip installs.
        target = sys.executable
        if args[:1] == ["uninstall"]:
            target = os.path.join(root, "bin", "python")
            if not os.path.exists(os.path.join(root, "pyvenv.cfg")):
                shell.system(shlex.join([sys.executable, "-m", "venv", "--without-pip", root]))
        into = ["--prefix", root, "--no-warn-script-location"] if args[:1] == ["install"] else []
        # PYTHONPATH: pip sees (lists, shows, freezes, upgrades, uninstalls) what it installed in the site.
        shell.system(shlex.join(["env", f"PYTHONPATH={sitedir}", python, "-m", "pip", "--python", target,
                                 "--disable-pip-version-check", *args[:1], *into, *args[1:]]))
        if not into or shell.user_ns.get("_exit_code"):
            return
        if sitedir not in sys.path:
            site.addsitedir(sitedir)
        importlib.invalidate_caches()
        if names and not told:
            told.append(True)
            spec = " ".join(shlex.quote(n) for n in names)
            print(f"Note: {', '.join(names)} is installed in {sitedir} for this container only: it is not in "
                  f"the image's lock. To keep it, run on the host: scripts/lock add {spec} "
                  f"(or scripts/lock add --layer NAME {spec}), then rebuild.")

    shell.register_magic_function(pip, "line", "pip")


_notebook_pip()
del _notebook_pip
