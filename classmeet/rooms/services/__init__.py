"""Write side of the live room: attendance, chat and teacher controls."""
