package motoserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
)

// envRecorderFile tells moto_server where to write the requests it records.
const envRecorderFile = "MOTO_RECORDER_FILEPATH"

// StartRecordingT starts a server for one test, like StartT, that records
// every request it answers (see Recorded): what the code under test
// actually asked of AWS, such as which function it invoked with which
// payload. It sets an environment variable, so the test cannot run in
// parallel.
func StartRecordingT(t testing.TB) *Server {
	t.Helper()
	t.Setenv(envRecorderFile, filepath.Join(t.TempDir(), "recording.jsonl"))
	s := StartT(t)
	if _, err := s.recorder(context.Background(), http.MethodPost, "start-recording"); err != nil {
		t.Fatalf("moto_server: %v", err)
	}
	return s
}

// Request is one request the server answered.
type Request struct {
	Method string
	// URL is the full URL, e.g. http://127.0.0.1:40123/2015-03-31/functions/NAME/invocations.
	URL  string
	Body []byte
}

// Recorded lists the requests the server answered since StartRecordingT,
// in order.
func (s *Server) Recorded(ctx context.Context) ([]Request, error) {
	data, err := s.recorder(ctx, http.MethodGet, "download-recording")
	if err != nil {
		return nil, err
	}
	var requests []Request
	lines := bufio.NewScanner(bytes.NewReader(data))
	lines.Buffer(nil, 64<<20)
	for lines.Scan() {
		var entry struct {
			Method      string `json:"method"`
			URL         string `json:"url"`
			Body        string `json:"body"`
			BodyEncoded bool   `json:"body_encoded"`
		}
		if err := json.Unmarshal(lines.Bytes(), &entry); err != nil {
			return nil, fmt.Errorf("moto's recording: %w", err)
		}
		body := []byte(entry.Body)
		if entry.BodyEncoded {
			if body, err = base64.StdEncoding.DecodeString(entry.Body); err != nil {
				return nil, fmt.Errorf("moto's recording of %s %s: %w", entry.Method, entry.URL, err)
			}
		}
		requests = append(requests, Request{Method: entry.Method, URL: entry.URL, Body: body})
	}
	return requests, lines.Err()
}

func (s *Server) recorder(ctx context.Context, method, action string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.Endpoint+"/moto-api/recorder/"+action, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("moto's recorder: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s", resp.Status)
	}
	if err != nil {
		return nil, fmt.Errorf("moto's recorder %s: %w", action, err)
	}
	return data, nil
}
