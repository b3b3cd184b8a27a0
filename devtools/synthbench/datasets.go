// Package synthbench measures what synthesizing the stack costs as the number
// of datasets grows: it writes generated dataset files, runs the synthesizing
// program on them and records wall time and the peak memory of its whole
// process tree (the Go program and the node process jsii starts beside it).
// Its command is devtools/synthbench/cmd/synthbench (make bench-synth).
package synthbench

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
)

// benchUsers is how many distinct alpha_user_ roles the generated datasets
// share, so that users hold several datasets each, as they do in production.
const benchUsers = 10

// WriteDatasets writes n valid dataset files under dir/push and dir/pull:
// half push (the odd one out is a push), half pull, with every optional flag
// set on some of them so that every construct branch is synthesized.
func WriteDatasets(dir string, n int) error {
	for _, kind := range []datasets.Kind{datasets.KindPush, datasets.KindPull} {
		if err := os.MkdirAll(filepath.Join(dir, string(kind)), 0o755); err != nil {
			return err
		}
	}
	for i := range n {
		kind, name, body := generated(i)
		path := filepath.Join(dir, string(kind), name+".yaml")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generated is the i-th dataset file: even i push, odd i pull.
func generated(i int) (kind datasets.Kind, name, body string) {
	users := fmt.Sprintf("users:\n  - alpha_user_bench_%02d\n  - alpha_user_bench_%02d\n", i%benchUsers, (i+3)%benchUsers)
	if i%2 == 0 {
		name = fmt.Sprintf("bench_push_%04d", i/2)
		body = fmt.Sprintf("name: %s\nbucket: bench-recipient-%04d\nbucket_account: \"754256621582\"\n%spaperwork: https://example.org/dpia/%s\nkeep_files: %t\n",
			name, i/2, users, name, i%8 == 0)
		return datasets.KindPush, name, body
	}
	name = fmt.Sprintf("bench_pull_%04d", i/2)
	body = fmt.Sprintf("name: %s\npull_arns:\n  - arn:aws:iam::754256621582:role/bench-reader-%04d\n%spaperwork: https://example.org/dpia/%s\nallow_push: %t\nbucket_versioning: %t\n",
		name, i/2, users, name, i%4 == 1, i%6 == 1)
	return datasets.KindPull, name, body
}
