"""Change data capture by polling, for ERPs that cannot push their changes.

See :mod:`process_apis.change_capture.poller`.
"""
