"""Writes of coursework, a module per part: assignments, quizzes, grades, reminders."""
