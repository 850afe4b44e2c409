# IPython kernels of this image (loaded from the venv's etc/ipython): `%pip install` works, into a
# throwaway site under HOME, never into the locked venv (notebook_pip.py beside this file).
import os
import sys

c = get_config()  # noqa: F821 -- provided by IPython when it loads this file
c.InteractiveShellApp.exec_files = [os.path.join(sys.prefix, "etc", "ipython", "notebook_pip.py")]
