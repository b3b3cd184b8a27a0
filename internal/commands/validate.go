package commands

import (
	"fmt"
	"io"
)

// Validate is being written (placeholder so the program builds while it is).
func Validate(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "validate: not written yet")
	return 1
}
