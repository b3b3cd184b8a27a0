package commands

import (
	"fmt"
	"io"
)

// PlanSummary is being written (placeholder so the program builds while it is).
func PlanSummary(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "plansummary: not written yet")
	return 1
}
