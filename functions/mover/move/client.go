package move

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// NewS3Client is the S3 client the mover uses: the SDK's default credential
// chain and region, the configured endpoint with path-style addressing when
// one is set, and a middleware that counts every HTTP attempt (retries
// included) into the counter carried by the request's context.
func NewS3Client(ctx context.Context, c Config) (*s3.Client, error) {
	var opts []func(*config.LoadOptions) error
	if c.MaxAttempts > 0 {
		opts = append(opts, config.WithRetryMaxAttempts(c.MaxAttempts))
	}
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.ResponseHeaderTimeout = c.ResponseHeaderTimeout
		// Parts are copied in parallel: keep a connection per part.
		t.MaxIdleConnsPerHost = max(c.Concurrency, 2)
	})
	opts = append(opts, config.WithHTTPClient(httpClient))
	awsConfig, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(awsConfig, func(o *s3.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
			o.UsePathStyle = true
		}
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Deserialize.Add(countRequests, middleware.Before)
		})
	}), nil
}

type counterKey struct{}

// withRequestCounter returns a context whose S3 requests are counted.
func withRequestCounter(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, counterKey{}, n), n
}

// countRequests sits in the deserialize step, below the retry middleware,
// so it runs once per HTTP request actually sent.
var countRequests = middleware.DeserializeMiddlewareFunc("MoverCountRequests",
	func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
			n.Add(1)
		}
		return next.HandleDeserialize(ctx, in)
	})
