"""Steps after rendering that only the register takes: a registered document gets its mark.

An unregistered render never passes through here, so its bytes stay exactly as the renderer made
them.
"""

from forms.postprocess.mark import add_verification_mark

__all__ = ["add_verification_mark"]
