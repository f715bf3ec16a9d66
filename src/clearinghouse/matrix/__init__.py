"""The matrix: who addresses which issue, in what role; its gaps and concerns."""
