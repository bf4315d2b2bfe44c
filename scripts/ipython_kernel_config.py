# Configuration of the Jupyter kernels that execute the book's chapters (make book).
# `make` copies it to .venv/etc/ipython/, the config directory IPython reads for its environment
# ({sys.prefix}/etc/ipython), so it applies only to kernels started from this project's .venv.
#
# ipykernel >= 7.4 logs, at WARNING level and into the terminal of `make book`, one line per
# chapter: "Kernel is running over TCP without encryption". The kernels of a book build listen on
# 127.0.0.1 only (jupyter_client's default) and every message is signed with the per-kernel key of
# their connection file (mode 0600), so the line is a notice, not a fault of the build. Kernel
# errors are still logged; a chapter's own output and errors are in the book and fail the build.
# (The sweep's kernels are silenced separately: linace.study.notebook_runs.KERNEL_ARGUMENTS.)
c = get_config()  # noqa: F821  (injected by IPython when it loads this file)
c.IPKernelApp.log_level = "ERROR"
