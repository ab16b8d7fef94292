// Command golden-llb runs BuildKit's own Dockerfile converter (dockerfile2llb)
// over Dockerfiles and writes the LLB it produces as decoded JSON, one
// "golden" file per Dockerfile, so that slimfile's output can be compared
// with the reference implementation without a BuildKit daemon.
//
// It is built inside a copy of the moby/buildkit source tree (see ./build), so
// it uses BuildKit's module and vendor directory; it has no go.mod of its own.
//
// Usage: golden-llb [flags] OUT_DIR DOCKERFILE...   (golden-llb -h lists flags)
//
// Everything that would need a daemon or a registry is stubbed with fixed
// values, so the output depends only on the Dockerfile and the BuildKit commit:
//   - image metadata: every image resolves to a digest derived from its
//     reference and to a minimal linux/amd64 config (see stubResolver);
//   - the gateway: BuildKit's dockerui.Client (the real frontend's option
//     parsing, main build context and .dockerignore handling) runs over
//     stubGateway, which has a fixed session ID, one linux/amd64 worker and
//     no frontend options unless -opt gives some;
//   - the build context is the local source "context"; X.dockerignore next to
//     X.Dockerfile (if any) plays the part of the context's .dockerignore;
//   - platforms: target linux/amd64, build platforms [linux/amd64];
//   - no build args, no named contexts, default target (the last stage).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// engineCaps are the LLB capabilities that Docker Engine 28.5's builtin
// BuildKit reports (its gateway sends pb.Caps.All() of the BuildKit it was
// built with): the 76 caps registered (Caps.Init) in solver/pb/caps.go of
// moby/buildkit v0.25.x (v0.25.0, .1 and .2 register the same set). Checked
// against Debian's dockerd 28.5.2+dfsg4 binary: every one of these ID strings
// is in it, and none of the 12 caps registered after v0.25 is.
var engineCaps = []string{
	"cache.azblob", "cache.gha", "cache.s3", "constraints", "diffop",
	"exec.cgroup", "exec.meta.base", "exec.meta.cdi",
	"exec.meta.cgroup.parent", "exec.meta.network", "exec.meta.proxyenv",
	"exec.meta.security", "exec.meta.security.devices.v1",
	"exec.meta.setsdefaultpath", "exec.meta.ulimit", "exec.mount.bind",
	"exec.mount.bind.readwrite-nooutput", "exec.mount.cache",
	"exec.mount.cache.content", "exec.mount.cache.sharing",
	"exec.mount.secret", "exec.mount.selector", "exec.mount.ssh",
	"exec.mount.tmpfs", "exec.mount.tmpfs.size", "exec.secretenv",
	"exec.validexitcode", "exporter.image.annotations",
	"exporter.image.attestations", "exporter.multiple", "exporter.session",
	"exporter.sourcedateepoch", "file.base",
	"file.copy.alwaysreplaceexistingdestpaths",
	"file.copy.includeexcludepatterns", "file.rm.nofollowsymlink",
	"file.rm.wildcard", "file.symlink.create", "gc.freespacefilter",
	"history.filter", "mergeop", "meta.description", "meta.exportcache",
	"meta.ignorecache", "platform", "soruce.http.uidgid",
	"source.buildop.llbfilename", "source.git", "source.git.checksum",
	"source.git.fullurl", "source.git.httpauth", "source.git.keepgitdir",
	"source.git.knownsshhosts", "source.git.mountsshsock",
	"source.git.skipsubmodules", "source.git.subdir", "source.http",
	"source.http.auth", "source.http.checksum", "source.http.header",
	"source.http.perm", "source.image", "source.image.checksum",
	"source.image.layerlimit", "source.image.resolvemode", "source.local",
	"source.local.differ", "source.local.excludepatterns",
	"source.local.followpaths", "source.local.includepatterns",
	"source.local.metadatatransfer", "source.local.sessionid",
	"source.local.sharedkeyhint", "source.local.unique", "source.ocilayout",
	"source.policy",
}

var linuxAmd64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// stubResolver implements llb.ImageMetaResolver (= sourceresolver.
// ImageMetaResolver) without a registry. Each reference resolves to itself,
// pinned to sha256(ref) (or to the digest it already names), with a config
// that has no env, no cmd and one fake layer. The layer matters: with no
// rootfs.diff_ids the converter treats the image as `scratch` and emits no
// image source op at all.
type stubResolver struct{}

func (stubResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	dgst := digest.FromString(ref)
	if named, err := reference.ParseNormalizedNamed(ref); err == nil {
		if c, ok := named.(reference.Canonical); ok {
			dgst = c.Digest()
		}
	}
	p := linuxAmd64
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform // FROM --platform=...: a multi-arch image would match it
	}
	cfg := map[string]any{
		"architecture": p.Architecture,
		"os":           p.OS,
		"rootfs": map[string]any{
			"type":     "layers",
			"diff_ids": []string{digest.FromString("layer " + ref).String()},
		},
		"config": map[string]any{},
	}
	if p.Variant != "" {
		cfg["variant"] = p.Variant
	}
	dt, err := json.Marshal(cfg)
	return ref, dgst, dt, err
}

// stubGateway is the part of the frontend gateway (client.Client) that
// dockerui.Client uses; the embedded nil interface panics on anything else.
// Solve never builds: its result only serves ReadFile from files (used for the
// context's .dockerignore).
type stubGateway struct {
	client.Client
	opts    map[string]string
	session string
	caps    apicaps.CapSet
	files   map[string][]byte
}

func (g *stubGateway) BuildOpts() client.BuildOpts {
	opts := make(map[string]string, len(g.opts))
	for k, v := range g.opts {
		opts[k] = v
	}
	return client.BuildOpts{
		Opts:      opts,
		SessionID: g.session,
		Workers:   []client.WorkerInfo{{ID: "golden-llb", Platforms: []ocispecs.Platform{linuxAmd64}}},
		Product:   "golden-llb",
		LLBCaps:   g.caps,
		Caps:      gwpb.Caps.CapSet(gwpb.Caps.All()), // gateway API caps
	}
}

func (g *stubGateway) Solve(context.Context, client.SolveRequest) (*client.Result, error) {
	res := client.NewResult()
	res.SetRef(stubRef{files: g.files})
	return res, nil
}

func (g *stubGateway) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return stubResolver{}.ResolveImageConfig(ctx, ref, opt)
}

func (g *stubGateway) Inputs(context.Context) (map[string]llb.State, error) {
	return map[string]llb.State{}, nil
}

func (g *stubGateway) Warn(context.Context, digest.Digest, string, client.WarnOpts) error {
	return nil
}

type stubRef struct {
	client.Reference
	files map[string][]byte
}

func (r stubRef) ReadFile(_ context.Context, req client.ReadRequest) ([]byte, error) {
	if dt, ok := r.files[req.Filename]; ok {
		return dt, nil
	}
	return nil, fmt.Errorf("%s: not found", req.Filename)
}

// capSet returns the LLB capability set for the -caps flag.
func capSet(which string) (*apicaps.CapSet, error) {
	all := pb.Caps.All()
	switch which {
	case "all":
	case "engine":
		want := map[string]bool{}
		for _, id := range engineCaps {
			want[id] = true
		}
		kept := all[:0]
		for _, c := range all {
			if want[c.ID] {
				kept = append(kept, c)
			}
		}
		all = kept
	default:
		return nil, fmt.Errorf("-caps must be all or engine, not %q", which)
	}
	cs := pb.Caps.CapSet(all)
	return &cs, nil
}

type warning struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
}

type opEntry struct {
	Index  int             `json:"index"`
	Digest string          `json:"digest"`
	Op     json.RawMessage `json:"op"`
	// Raw is the op's protobuf encoding (base64), for exact comparison.
	Raw []byte `json:"raw"`
}

// golden is the file written for one Dockerfile; field order is output order.
type golden struct {
	Dockerfile  string                     `json:"dockerfile"`
	Source      string                     `json:"source"`
	Error       string                     `json:"error,omitempty"`
	Ops         []opEntry                  `json:"ops,omitempty"`
	Metadata    map[string]json.RawMessage `json:"metadata,omitempty"`
	// MetadataRaw is each op's metadata in protobuf encoding (base64), by op digest.
	MetadataRaw map[string][]byte `json:"metadata_raw,omitempty"`
	SourceMap   json.RawMessage            `json:"source_map,omitempty"`
	ImageConfig any                        `json:"image_config,omitempty"`
	Warnings    []warning                  `json:"warnings,omitempty"`
}

// pj is canonical proto3 JSON (lowerCamelCase names, enums as names, 64-bit
// ints as strings, bytes as base64). encoding/json re-indents its output
// (protojson's own whitespace is deliberately unstable). Map keys are sorted.
func pj(m proto.Message) (json.RawMessage, error) {
	b, err := protojson.Marshal(m)
	return json.RawMessage(b), err
}

// settings are the run-wide choices made by flags.
type settings struct {
	caps     *apicaps.CapSet
	implicit bool
	session  string
	opts     map[string]string
}

func convert(ctx context.Context, path string, set settings) golden {
	g := golden{Dockerfile: filepath.Base(path)}
	dt, err := os.ReadFile(path)
	if err != nil {
		g.Error = err.Error()
		return g
	}
	g.Source = string(dt)
	fail := func(err error) golden {
		g.Error = err.Error()
		g.Ops, g.Metadata, g.SourceMap, g.ImageConfig = nil, nil, nil, nil
		return g
	}

	files := map[string][]byte{}
	ignore := strings.TrimSuffix(path, filepath.Ext(path)) + ".dockerignore"
	if ign, err := os.ReadFile(ignore); err == nil {
		files[dockerui.DefaultDockerignoreName] = ign
	}
	bc, err := dockerui.NewClient(&stubGateway{opts: set.opts, session: set.session, caps: *set.caps, files: files})
	if err != nil {
		return fail(err)
	}

	// The real frontend maps ops back to Dockerfile lines through a source
	// map whose state is the local "dockerfile" source it read the file from.
	dfSrc := llb.Local(dockerui.DefaultLocalNameDockerfile, llb.SessionID(set.session))
	opt := dockerfile2llb.ConvertOpt{
		Config:       bc.Config, // parsed from -opt, as the real frontend does
		Client:       bc,
		SourceMap:    llb.NewSourceMap(&dfSrc, "Dockerfile", "Dockerfile", dt),
		MetaResolver: stubResolver{},
		LLBCaps:      set.caps,
		Warn: func(rule, _, _, msg string, loc []parser.Range) {
			w := warning{Rule: rule, Message: msg}
			if len(loc) > 0 {
				w.Line = loc[0].Start.Line
			}
			g.Warnings = append(g.Warnings, w)
		},
	}
	if len(bc.TargetPlatforms) > 0 { // -opt platform=...: the first one
		p := bc.TargetPlatforms[0]
		opt.TargetPlatform = &p
	} else if !set.implicit {
		p := linuxAmd64
		opt.TargetPlatform = &p
	}
	res, err := dockerfile2llb.Dockerfile2LLB(ctx, dt, opt)
	if err != nil {
		return fail(err)
	}
	def, err := res.State.Marshal(ctx) // as frontend/dockerfile/builder does
	if err != nil {
		return fail(err)
	}
	for i, raw := range def.Def {
		var op pb.Op
		if err := op.Unmarshal(raw); err != nil {
			return fail(err)
		}
		b, err := pj(&op)
		if err != nil {
			return fail(err)
		}
		g.Ops = append(g.Ops, opEntry{Index: i, Digest: digest.FromBytes(raw).String(), Op: b, Raw: raw})
	}
	pdef := def.ToPB()
	g.Metadata = map[string]json.RawMessage{}
	g.MetadataRaw = map[string][]byte{}
	for d, m := range pdef.Metadata {
		if g.Metadata[d], err = pj(m); err != nil {
			return fail(err)
		}
		mopt := proto.MarshalOptions{Deterministic: true}
		if g.MetadataRaw[d], err = mopt.Marshal(m); err != nil {
			return fail(err)
		}
	}
	if pdef.Source != nil {
		// Drop the embedded Dockerfile text (already in "source") and the
		// definition of the local source it came from.
		src := proto.Clone(pdef.Source).(*pb.Source)
		for _, info := range src.Infos {
			info.Data, info.Definition = nil, nil
		}
		if g.SourceMap, err = pj(src); err != nil {
			return fail(err)
		}
	}
	g.ImageConfig = res.Image
	return g
}

func main() {
	capsFlag := flag.String("caps", "all", "LLB caps: all (this BuildKit's) or engine (Docker 28.5's)")
	implicit := flag.Bool("implicit-platform", false,
		"leave the target platform unset, as `docker build` without --platform does (default: linux/amd64)")
	session := flag.String("session-id", "golden-llb-session", "session ID of the local sources (context, dockerfile)")
	var opts optList
	flag.Var(&opts, "opt", "frontend option KEY=VALUE, as in buildctl --opt (repeatable), e.g. build-arg:FOO=bar, target=build")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [flags] OUT_DIR DOCKERFILE...\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 2 {
		flag.Usage()
		os.Exit(2)
	}
	caps, err := capSet(*capsFlag)
	set := settings{caps: caps, implicit: *implicit, session: *session, opts: opts.m}
	if err != nil {
		fmt.Fprintln(os.Stderr, "golden-llb:", err)
		os.Exit(2)
	}
	out := flag.Arg(0)
	if err := os.MkdirAll(out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "golden-llb:", err)
		os.Exit(1)
	}
	ctx := context.Background()
	status := 0
	names := map[string]string{}
	for _, path := range flag.Args()[1:] {
		base := filepath.Base(path)
		name := strings.TrimSuffix(base, filepath.Ext(base)) + ".json"
		if prev, dup := names[name]; dup {
			fmt.Fprintf(os.Stderr, "golden-llb: %s and %s both map to %s\n", prev, path, name)
			os.Exit(2)
		}
		names[name] = path
		g := convert(ctx, path, set)
		b, err := json.MarshalIndent(g, "", "  ")
		if err == nil {
			err = os.WriteFile(filepath.Join(out, name), append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "golden-llb:", err)
			status = 1
			continue
		}
		what := fmt.Sprintf("%d ops", len(g.Ops))
		if g.Error != "" {
			what = "error: " + g.Error
		}
		fmt.Fprintf(os.Stderr, "%s -> %s (%s)\n", path, filepath.Join(out, name), what)
	}
	os.Exit(status)
}

// optList collects repeated -opt KEY=VALUE flags.
type optList struct{ m map[string]string }

func (o *optList) String() string {
	var kv []string
	for k, v := range o.m {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

func (o *optList) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("want KEY=VALUE, not %q", s)
	}
	if o.m == nil {
		o.m = map[string]string{}
	}
	o.m[k] = v
	return nil
}
