"""HTML views of coursework, a module per part: assignments, grading, quizzes, gradebook, to do."""
