package registry

import (
	"fmt"
	"testing"
	"testing/fstest"
)

// BenchmarkLoadYAML loads 1, 10 and 1000 provider files; ns/provider should
// stay flat as the count grows (linear cost).
func BenchmarkLoadYAML(b *testing.B) {
	for _, n := range []int{1, 10, 1000} {
		fsys := fstest.MapFS{}
		for i := 0; i < n; i++ {
			fsys[fmt.Sprintf("p%04d.yaml", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(`version: 1
name: p%04d
label: Provider %d
modes: [oauth, api_key]
host_dir: _p%d
container_mount: /home/dev/.p
command: p login
key: {label: P key, url: "https://example.com/keys", env_var: P_KEY, format: "p-[a-z0-9]+"}
capture:
  - file: hosts.yml
    format: yaml
    type: oauth_token
    prefer: example.com
    fields: {token: "*.oauth_token", host: $key}
`, i, i, i))}
		}
		srcs := []YAMLSource{{Label: "bench", FS: fsys, Dir: "."}}
		b.Run(fmt.Sprintf("providers=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				active, _, problems := loadYAML(srcs)
				if len(active) != n || len(problems) != 0 {
					b.Fatalf("%d loaded, problems %v", len(active), problems)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/provider")
		})
	}
}
