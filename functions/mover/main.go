// Command mover is the Lambda function that moves each object pushed to the
// export bucket into its recipient's bucket; outside Lambda it is the
// operator's tool for re-driving failed moves and sweeping a prefix. The
// work is in package move; `mover --help` documents the command line.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ministryofjustice/data-engineering-exports/functions/mover/move"
)

func main() {
	ctx := context.Background()
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		os.Exit(move.Command(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
	}
	mover, err := move.FromEnvironment(ctx, os.Getenv, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mover:", err)
		os.Exit(1)
	}
	lambda.Start(mover.HandleS3Event)
}
