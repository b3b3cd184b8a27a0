// Command lambdazip builds a Go Lambda function into a reproducible zip:
//
//	go run ./devtools/lambdazip -o build/mover.zip ./functions/mover
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/ministryofjustice/data-engineering-exports/internal/lambdazip"
)

func main() {
	out := flag.String("o", "", "zip file to write")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: lambdazip -o OUT.zip ./path/to/main/package")
		os.Exit(2)
	}
	if err := lambdazip.Build(context.Background(), ".", flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "lambdazip:", err)
		os.Exit(1)
	}
}
