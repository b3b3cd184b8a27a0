package move

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Benchmarks against moto: `make bench-mover` runs them. moto answers on
// loopback and copies in memory, so absolute times are not S3's; what they
// measure is the mover's own cost: S3 requests per object, the work around
// each request, and how the copy strategies compare for the same bytes.

// BenchmarkMoveSmallObjects moves 1 KiB objects one at a time and reports
// S3 requests per object (goal: at most 4) and objects per second.
func BenchmarkMoveSmallObjects(b *testing.B) {
	w := newWorld(b)
	m, _ := w.mover(w.env(nil), nil)
	body := randomBytes(1024)
	ctx := context.Background()
	var requests int64
	var moving time.Duration
	for i := 0; b.Loop(); i++ {
		key := fmt.Sprintf("%s/small/%d.csv", dataset, i)
		b.StopTimer()
		w.put(key, body, "text/csv", nil)
		b.StartTimer()
		r := m.Move(ctx, Object{Bucket: exportBucket, Key: key, Size: 1024})
		if r.Err != nil {
			b.Fatal(r.Err)
		}
		requests += r.S3Requests
		moving += r.Duration
	}
	b.ReportMetric(float64(requests)/float64(b.N), "s3-requests/object")
	b.ReportMetric(float64(b.N)/moving.Seconds(), "objects/s")
}

// BenchmarkSweepSmallObjects moves 200 small objects with one sweep
// (Config.Concurrency at a time) and reports objects per second.
func BenchmarkSweepSmallObjects(b *testing.B) {
	w := newWorld(b)
	m, _ := w.mover(w.env(nil), nil)
	body := randomBytes(1024)
	const count = 200
	var sweeping time.Duration
	for round := 0; b.Loop(); round++ {
		b.StopTimer()
		prefix := fmt.Sprintf("%s/sweep-%d/", dataset, round)
		for i := range count {
			w.put(fmt.Sprintf("%s%d.csv", prefix, i), body, "text/csv", nil)
		}
		b.StartTimer()
		start := time.Now()
		if err := m.Sweep(context.Background(), exportBucket, prefix); err != nil {
			b.Fatal(err)
		}
		sweeping += time.Since(start)
	}
	b.ReportMetric(float64(count*b.N)/sweeping.Seconds(), "objects/s")
}

// BenchmarkMoveLargeObject moves a 64 MiB object by one CopyObject and by
// parallel UploadPartCopy with 8 MiB and 16 MiB parts.
func BenchmarkMoveLargeObject(b *testing.B) {
	const size = 64 * MiB
	w := newWorld(b)
	body := randomBytes(size)
	for _, c := range []struct {
		name      string
		threshold int64
		part      int64
	}{
		{"single-copy", size + 1, DefaultPartBytes},
		{"multipart-16MiB-parts", MinPartBytes, 16 * MiB},
		{"multipart-8MiB-parts", MinPartBytes, 8 * MiB},
	} {
		b.Run(c.name, func(b *testing.B) {
			m, _ := w.mover(w.env(nil), func(cfg *Config) { cfg.MultipartThreshold, cfg.PartBytes = c.threshold, c.part })
			key := fmt.Sprintf("%s/large/%s.bin", dataset, c.name)
			var requests int64
			for b.Loop() {
				b.StopTimer()
				w.put(key, body, "application/octet-stream", nil)
				b.StartTimer()
				r := m.Move(context.Background(), Object{Bucket: exportBucket, Key: key, Size: size})
				if r.Err != nil {
					b.Fatal(r.Err)
				}
				requests += r.S3Requests
			}
			b.SetBytes(size)
			b.ReportMetric(float64(requests)/float64(b.N), "s3-requests/object")
		})
	}
}
