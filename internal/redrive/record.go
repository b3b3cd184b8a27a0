package redrive

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ministryofjustice/data-engineering-exports/functions/mover/move"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Record is a Lambda on-failure destination record: what Lambda sends to
// the failed-moves queue when a mover has failed an event on every try.
type Record struct {
	RequestContext struct {
		RequestID string `json:"requestId"`
		// FunctionARN is the function that failed, qualified with the
		// version that ran ("...:function:export_x-move:$LATEST").
		FunctionARN            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	// RequestPayload is the event that failed: an S3 event notification.
	RequestPayload  json.RawMessage `json:"requestPayload"`
	ResponseContext struct {
		StatusCode    int    `json:"statusCode"`
		FunctionError string `json:"functionError"`
	} `json:"responseContext"`
	// ResponsePayload is the function's error, when it returned one.
	ResponsePayload json.RawMessage `json:"responsePayload"`
}

// Failure is one failed move read from the queue.
type Failure struct {
	Record
	// Function is the unqualified ARN of the mover that failed: re-invoking
	// it runs the current code with the dataset's own role and settings.
	Function string
	// Dataset is the push dataset the mover belongs to.
	Dataset string
	// Keys are the decoded keys the event names.
	Keys []string
}

// ErrNotRecord marks a message that is not a Lambda on-failure record.
var ErrNotRecord = errors.New("not a Lambda on-failure destination record")

// ErrNotMover marks an on-failure record of a function that is not a mover.
var ErrNotMover = errors.New("not a mover's record")

// ParseFailure reads a message body from the failed-moves queue. Its
// errors wrap ErrNotRecord or ErrNotMover when the message is not a
// mover's; any other error is a mover's record whose event cannot be read.
// The returned Failure names the function and dataset whenever they are
// known, even with an error.
func ParseFailure(body string) (Failure, error) {
	var f Failure
	if err := json.Unmarshal([]byte(body), &f.Record); err != nil {
		return f, fmt.Errorf("%w: body is not JSON: %v", ErrNotRecord, err)
	}
	if f.RequestContext.FunctionARN == "" || f.RequestPayload == nil {
		return f, fmt.Errorf("%w: it has no requestContext.functionArn or requestPayload", ErrNotRecord)
	}
	function, name, err := unqualified(f.RequestContext.FunctionARN)
	if err != nil {
		return f, fmt.Errorf("%w: requestContext.functionArn: %v", ErrNotRecord, err)
	}
	f.Function = function
	dataset, ok := DatasetOf(name)
	if !ok {
		return f, fmt.Errorf("%w: the function %s is not a mover (%s)", ErrNotMover, name, naming.MoverName("<dataset>"))
	}
	f.Dataset = dataset
	var ev events.S3Event
	if err := json.Unmarshal(f.RequestPayload, &ev); err != nil {
		return f, fmt.Errorf("requestPayload is not an S3 event notification: %v", err)
	}
	objects, err := move.ObjectsFromEvent(ev)
	if err != nil {
		return f, fmt.Errorf("requestPayload: %v", err)
	}
	if len(objects) == 0 {
		return f, errors.New("requestPayload names no object")
	}
	for _, obj := range objects {
		f.Keys = append(f.Keys, obj.Key)
	}
	return f, nil
}

// unqualified returns a function ARN without its version or alias, and
// the function's name.
func unqualified(functionARN string) (arn, name string, err error) {
	// arn:partition:lambda:region:account:function:name[:qualifier]
	parts := strings.Split(functionARN, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "" {
		return "", "", fmt.Errorf("%q is not a Lambda function ARN", functionARN)
	}
	return strings.Join(parts[:7], ":"), parts[6], nil
}

// moverPrefix and moverSuffix frame every mover's name; they are read from
// naming.MoverName so that the two can never disagree.
var moverPrefix, moverSuffix, _ = strings.Cut(naming.MoverName("\x00"), "\x00")

// DatasetOf returns the dataset whose mover is the function named
// function, or false when the function is not a mover.
func DatasetOf(function string) (string, bool) {
	dataset, hasPrefix := strings.CutPrefix(function, moverPrefix)
	dataset, hasSuffix := strings.CutSuffix(dataset, moverSuffix)
	return dataset, hasPrefix && hasSuffix && dataset != "" && naming.MoverName(dataset) == function
}

// FirstReason is why the move failed in the first place, as the record
// tells it.
func (f Failure) FirstReason() string {
	why := fmt.Sprintf("failed %d times (%s)", f.RequestContext.ApproximateInvokeCount, f.RequestContext.Condition)
	if msg := errorMessage(f.ResponsePayload); msg != "" {
		why += ": " + msg
	}
	return why
}

// errorMessage is the errorMessage of a Lambda error payload
// ({"errorMessage":...,"errorType":...}), or the payload itself when it is
// something else.
func errorMessage(payload []byte) string {
	var lambdaError struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(payload, &lambdaError) == nil && lambdaError.ErrorMessage != "" {
		return lambdaError.ErrorMessage
	}
	var text string
	if json.Unmarshal(payload, &text) == nil {
		return text
	}
	return string(payload)
}

// moverErrors reads the mover's own failure lines from the tail of a
// function's log (Invoke with LogType Tail returns it base64-encoded): the
// mover logs one JSON line per object, and a failed one says which S3
// request was refused and why, which its returned error does not repeat.
func moverErrors(logTail string) []string {
	data, err := base64.StdEncoding.DecodeString(logTail)
	if err != nil {
		return nil
	}
	var found []string
	lines := bufio.NewScanner(strings.NewReader(string(data)))
	for lines.Scan() {
		var line struct {
			Level string `json:"level"`
			Key   string `json:"key"`
			Error string `json:"error"`
		}
		if json.Unmarshal(lines.Bytes(), &line) != nil || line.Level != "ERROR" || line.Error == "" {
			continue
		}
		if line.Key != "" {
			found = append(found, line.Key+": "+line.Error)
		} else {
			found = append(found, line.Error)
		}
	}
	return found
}

// maxReason bounds a reason on a progress line.
const maxReason = 400

// sdkRequestIDs are the request ids in an AWS SDK error's text: they help
// AWS support, not the reader of a progress line, and push the error's
// code and message (which come last) past maxReason.
var sdkRequestIDs = regexp.MustCompile(`(RequestID|HostID): [^,]*, `)

// shorten puts s on one line of at most maxReason characters.
func shorten(s string) string {
	s = sdkRequestIDs.ReplaceAllString(strings.Join(strings.Fields(s), " "), "")
	return firstRunes(s, maxReason)
}

// firstRunes is s cut to n characters, the last an ellipsis if it was longer.
func firstRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
