// Package docscheck reads the project's Markdown the way GitHub renders it,
// so that its tests can keep the documentation true: every relative link and
// anchor resolves, no page points at another by name without linking it, the
// dataset file reference lists exactly the model's fields, and every example
// marked as real (a plan comment, a dataset file, the recipient's policy)
// still matches the code it came from.
package docscheck
