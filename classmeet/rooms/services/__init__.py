"""Write side of the live room: the teacher's controls and room events over the channel layer."""
