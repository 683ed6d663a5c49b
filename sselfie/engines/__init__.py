"""Provider engines: the only code that talks to image-generation providers.

``replicate`` is the one in use; a second provider would be a sibling module with the
same functions, raising the shared errors of ``errors``.
"""
