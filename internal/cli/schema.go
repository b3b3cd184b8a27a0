package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

const schemaUsage = `usage: go run ./cmd/exports schema

Writes the JSON Schema of push and pull dataset files, generated from the
model (datasets/model.go), to ` + naming.SchemaDir + `/, from the repository root.
Run it after changing a field of the model or its help, and commit the
result: a test fails while the committed files differ from the model's.
`

// Schema writes each kind's JSON Schema, generated from the model, to
// naming.SchemaFile under the working directory, the repository root.
func Schema(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprint(stdout, schemaUsage)
			return 0
		}
		fmt.Fprint(stderr, schemaUsage)
		fmt.Fprintf(stderr, "schema: takes no arguments (got %q)\n", args)
		return 2
	}
	if _, err := os.Stat(filepath.FromSlash(naming.DatasetsDir + "/model.go")); err != nil {
		fmt.Fprintf(stderr, "schema: no %s/model.go here: run it from the repository root\n", naming.DatasetsDir)
		return 2
	}
	if err := os.MkdirAll(filepath.FromSlash(naming.SchemaDir), 0o755); err != nil {
		fmt.Fprintf(stderr, "schema: %v\n", err)
		return 1
	}
	for _, kind := range naming.Kinds {
		file := filepath.FromSlash(naming.SchemaFile(kind))
		generated := datasets.JSONSchema(kind).JSON()
		if committed, err := os.ReadFile(file); err == nil && bytes.Equal(committed, generated) {
			fmt.Fprintf(stdout, "%s is up to date\n", naming.SchemaFile(kind))
			continue
		}
		if err := os.WriteFile(file, generated, 0o644); err != nil {
			fmt.Fprintf(stderr, "schema: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s\n", naming.SchemaFile(kind))
	}
	return 0
}
