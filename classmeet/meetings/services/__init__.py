"""Write side of meetings: the meetings themselves, their reminders, and the class record
(attendance, chat log, removals). Import from the module that holds the service."""
