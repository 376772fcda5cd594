"""Install reaper-assist into a REAPER resource folder, and take it out again (see :mod:`.core`)."""

from reaper_assist.install.core import (
    InstallError,
    install,
    plan_install,
    plan_uninstall,
    uninstall,
)

__all__ = ["InstallError", "install", "plan_install", "plan_uninstall", "uninstall"]
