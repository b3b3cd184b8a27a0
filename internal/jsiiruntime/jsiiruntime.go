// Package jsiiruntime ends the Node process that runs CDKTF for Go.
package jsiiruntime

import (
	"os"

	"github.com/aws/jsii-runtime-go"
)

// Close stops Node and removes the runtime jsii unpacked into a temporary
// directory (a process that never calls it leaves one behind in $TMPDIR).
//
// jsii-runtime-go waits for Node from two goroutines, and the one that loses
// prints "Runtime process exited abnormally: waitid: no child processes" to
// os.Stderr: a false alarm that reads like a failed synthesis. Close is the
// last thing a program or test binary does with jsii, so os.Stderr stays
// quiet from here on; callers print their own messages to the writer they
// were given.
func Close() {
	if devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stderr = devNull
	}
	jsii.Close()
}
