"""Reads of coursework, a module per part: assignments, quizzes, gradebook."""
