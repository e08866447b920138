"""The sections of the lead's reports: each adds its tables to the day and period reports.

queue.py, contacts.py and visitors.py are built into :class:`ReportService`;
capabilities.py holds those of appointments, referrals and packs, which ``Services``
registers with :meth:`ReportService.add_section` (importing it imports those services).
"""
