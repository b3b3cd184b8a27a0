package commands

import (
	"fmt"
	"io"
)

// Synth is being written (placeholder so the program builds while it is).
func Synth(stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "synth: not written yet")
	return 1
}
