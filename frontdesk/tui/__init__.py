"""The Textual face of frontdesk: screens and widgets over the services. No SQL here."""
