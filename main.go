// Command data-engineering-exports turns the dataset files under datasets/
// into Terraform for the Analytical Platform's data exports.
//
//	go run .                        synthesize the stack into cdktf.out/
//	go run . validate               check every dataset file, report every problem
//	go run . plan-summary PLAN.json summarize a plan for a pull-request comment
//	go run . branch-check ...       check a dataset branch changes its dataset file
package main

import (
	"os"

	"github.com/ministryofjustice/data-engineering-exports/internal/commands"
)

func main() {
	os.Exit(commands.Run(os.Args[1:], os.Stdout, os.Stderr))
}
