package motoserver

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestLambdaInvocations pins what the emulator answers to Invoke, with and
// without Docker (there is none here), and that the recorder sees which
// function got which payload.
func TestLambdaInvocations(t *testing.T) {
	s := StartRecordingT(t)
	ctx := t.Context()
	client := lambda.NewFromConfig(s.AWSConfig())
	invoke := func(name, payload string) (*lambda.InvokeOutput, error) {
		return client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload)})
	}
	if err := s.CreateFunction(ctx, "runs_in_docker", map[string]string{"K": "v"}); err != nil {
		t.Fatal(err)
	}

	out, err := invoke("runs_in_docker", `{"n":1}`)
	if err != nil || aws.ToString(out.FunctionError) != "Handled" || !strings.HasPrefix(string(out.Payload), "error running docker") {
		t.Fatalf("with Docker (absent): %+v, %v; want FunctionError Handled and the Docker error", out, err)
	}
	var missing *lambdatypes.ResourceNotFoundException
	if _, err := invoke("missing", `{}`); !errors.As(err, &missing) {
		t.Fatalf("a missing function with Docker: %v; want ResourceNotFoundException", err)
	}

	if err := s.LambdaWithoutDocker(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateFunction(ctx, "runs_nothing", nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"runs_nothing", "missing"} {
		out, err = invoke(name, `{"n":2}`)
		if err != nil || out.FunctionError != nil || out.StatusCode != 200 || string(out.Payload) != `{"n":2}` {
			t.Fatalf("%s without Docker: %+v, %v; want success echoing the payload", name, out, err)
		}
	}
	listed, err := client.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil || len(listed.Functions) != 1 || aws.ToString(listed.Functions[0].FunctionName) != "runs_nothing" {
		t.Fatalf("ListFunctions without Docker = %+v, %v; want only the function created after the switch", listed, err)
	}

	recorded, err := s.Recorded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var invocations []string
	for _, r := range recorded {
		if strings.HasSuffix(r.URL, "/invocations") {
			invocations = append(invocations, r.URL[strings.Index(r.URL, "/functions/"):]+" "+string(r.Body))
		}
	}
	want := []string{
		`/functions/runs_in_docker/invocations {"n":1}`,
		`/functions/missing/invocations {}`,
		`/functions/runs_nothing/invocations {"n":2}`,
		`/functions/missing/invocations {"n":2}`,
	}
	if strings.Join(invocations, "\n") != strings.Join(want, "\n") {
		t.Fatalf("recorded invocations:\n%s\nwant:\n%s", strings.Join(invocations, "\n"), strings.Join(want, "\n"))
	}
}
