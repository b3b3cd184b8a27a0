package move

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// ObjectsFromEvent lists the objects an S3 event notification names, with
// their keys decoded and who wrote them from where. S3 sends keys form-encoded ("+" for a space, "%XX"
// for other bytes); events.S3Object decodes them into URLDecodedKey when the
// event is unmarshalled (by the Lambda runtime or ParseEvents), and refuses
// an event whose key is not validly encoded.
func ObjectsFromEvent(ev events.S3Event) ([]Object, error) {
	objects := make([]Object, 0, len(ev.Records))
	for i, rec := range ev.Records {
		if rec.EventSource != "aws:s3" {
			return nil, fmt.Errorf("Records[%d].eventSource is %q: the mover handles S3 event notifications (aws:s3) only", i, rec.EventSource)
		}
		if rec.S3.Bucket.Name == "" || rec.S3.Object.Key == "" {
			//lint:ignore ST1005 the message starts with the event's field, spelled as in the JSON
			return nil, fmt.Errorf("Records[%d] has no s3.bucket.name or s3.object.key", i)
		}
		objects = append(objects, Object{
			Bucket: rec.S3.Bucket.Name, Key: rec.S3.Object.URLDecodedKey, Size: rec.S3.Object.Size,
			Uploader: rec.PrincipalID.PrincipalID, SourceIP: rec.RequestParameters.SourceIPAddress,
		})
	}
	return objects, nil
}

// envelope holds the fields that tell apart the inputs an operator may
// pass to --event.
type envelope struct {
	// An S3 event notification.
	Records json.RawMessage `json:"Records"`
	// S3's test message, sent when a notification is configured.
	Event string `json:"Event"`
	// A record from the function's on-failure destination: the event that
	// failed is its requestPayload.
	RequestPayload json.RawMessage `json:"requestPayload"`
	// The output of `aws sqs receive-message`: each message body is one
	// on-failure record, as a string.
	Messages []struct {
		MessageID string `json:"MessageId"`
		Body      string `json:"Body"`
	} `json:"Messages"`
}

// ParseEvents reads the objects named by data, which is one of: an S3 event
// notification; a Lambda on-failure destination record (whose
// requestPayload is the S3 event that failed); or the output of
// `aws sqs receive-message` on the failed-moves queue (whose message bodies
// are such records).
func ParseEvents(data []byte) ([]Object, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	switch {
	case env.Records != nil:
		var ev events.S3Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return nil, fmt.Errorf("not an S3 event notification: %v", err)
		}
		return ObjectsFromEvent(ev)
	case env.Event == "s3:TestEvent":
		return nil, nil
	case env.RequestPayload != nil:
		objects, err := ParseEvents(env.RequestPayload)
		if err != nil {
			return nil, fmt.Errorf("requestPayload: %w", err)
		}
		return objects, nil
	case env.Messages != nil:
		var objects []Object
		var errs []error
		for i, msg := range env.Messages {
			found, err := ParseEvents([]byte(msg.Body))
			if err != nil {
				//lint:ignore ST1005 the message starts with the field, spelled as in the output of aws sqs receive-message
				errs = append(errs, fmt.Errorf("Messages[%d] (MessageId %s).Body: %w", i, msg.MessageID, err))
			}
			objects = append(objects, found...)
		}
		if len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
		return objects, nil
	default:
		return nil, errors.New(`expected an S3 event ({"Records":[...]}), a Lambda on-failure record ({"requestPayload":{...}}) or the output of aws sqs receive-message ({"Messages":[...]})`)
	}
}
