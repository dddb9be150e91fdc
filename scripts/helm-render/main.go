// Command helm-render renders a Helm chart the way `helm template` does, for charts without
// subcharts or hooks: Go text/template with sprig and the functions Helm adds. See README.md.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	// GOPATH mode: Debian's sprig is v3 at the v1 path (its own semver/v3 import resolves by minimal module compatibility).
	"github.com/Masterminds/sprig"
	yaml2 "gopkg.in/yaml.v2"
	yaml3 "gopkg.in/yaml.v3"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// The API versions `helm template` assumes without a cluster (a subset of Helm's DefaultVersionSet).
var builtinAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1",
	"rbac.authorization.k8s.io/v1", "coordination.k8s.io/v1", "storage.k8s.io/v1",
	"apiextensions.k8s.io/v1", "admissionregistration.k8s.io/v1",
}

func main() {
	var valueFiles, apiVersions stringList
	name := flag.String("name", "mlwarden", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	flag.Var(&valueFiles, "f", "values file merged over the chart's values.yaml (repeatable, later wins)")
	flag.Var(&apiVersions, "a", "extra API version for .Capabilities.APIVersions.Has (repeatable), e.g. monitoring.coreos.com/v1")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helm-render [-name R] [-namespace NS] [-f values.yaml]... [-a group/version]... CHART_DIR")
		os.Exit(2)
	}
	out, err := render(flag.Arg(0), *name, *namespace, valueFiles, apiVersions)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
}

// Chart mirrors the fields of Chart.yaml that Helm exposes as .Chart.
type Chart struct {
	APIVersion   string            `yaml:"apiVersion"`
	Name         string            `yaml:"name"`
	Version      string            `yaml:"version"`
	AppVersion   string            `yaml:"appVersion"`
	Description  string            `yaml:"description"`
	Type         string            `yaml:"type"`
	KubeVersion  string            `yaml:"kubeVersion"`
	Home         string            `yaml:"home"`
	Icon         string            `yaml:"icon"`
	Keywords     []string          `yaml:"keywords"`
	Sources      []string          `yaml:"sources"`
	Annotations  map[string]string `yaml:"annotations"`
	Deprecated   bool              `yaml:"deprecated"`
	Dependencies []interface{}     `yaml:"dependencies"`
}

type Release struct {
	Name, Namespace, Service string
	Revision                 int
	IsInstall, IsUpgrade     bool
}

type VersionSet []string

func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type KubeVersion struct{ Version, Major, Minor, GitVersion string }

type Capabilities struct {
	APIVersions VersionSet
	KubeVersion KubeVersion
}

type TemplateInfo struct{ Name, BasePath string }

func render(chartDir, releaseName, namespace string, valueFiles, apiVersions []string) (string, error) {
	var chart Chart
	if err := readYAML(filepath.Join(chartDir, "Chart.yaml"), &chart); err != nil {
		return "", err
	}
	if len(chart.Dependencies) > 0 {
		return "", errors.New("subcharts are not supported")
	}
	values := map[string]interface{}{}
	if err := readYAML(filepath.Join(chartDir, "values.yaml"), &values); err != nil && !os.IsNotExist(errors.Unwrap(err)) {
		return "", err
	}
	for _, f := range valueFiles {
		override := map[string]interface{}{}
		if err := readYAML(f, &override); err != nil {
			return "", err
		}
		values = coalesce(values, override)
	}
	files, err := loadFiles(chartDir)
	if err != nil {
		return "", err
	}
	templates, err := loadTemplates(chartDir, chart.Name)
	if err != nil {
		return "", err
	}

	top := map[string]interface{}{
		"Values":       values,
		"Release":      Release{Name: releaseName, Namespace: namespace, Service: "Helm", Revision: 1, IsInstall: true},
		"Chart":        chart,
		"Files":        files,
		"Capabilities": Capabilities{APIVersions: append(VersionSet(builtinAPIVersions), apiVersions...), KubeVersion: KubeVersion{Version: "v1.30.0", Major: "1", Minor: "30", GitVersion: "v1.30.0"}},
	}

	root := template.New("chart")
	root.Funcs(funcMap(root))
	names := make([]string, 0, len(templates))
	for name, text := range templates {
		if _, err := root.New(name).Parse(text); err != nil {
			return "", err
		}
		names = append(names, name)
	}
	sort.Strings(names)

	var out strings.Builder
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" {
			continue
		}
		scope := map[string]interface{}{}
		for k, v := range top {
			scope[k] = v
		}
		scope["Template"] = TemplateInfo{Name: name, BasePath: path.Join(chart.Name, "templates")}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, scope); err != nil {
			return "", err
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.TrimRight(text, "\n"))
	}
	return out.String(), nil
}

func readYAML(file string, into interface{}) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading %s: %w", file, err)
	}
	if err := yaml3.Unmarshal(data, into); err != nil {
		return fmt.Errorf("parsing %s: %v", file, err)
	}
	return nil
}

// coalesce merges override into base like Helm: maps merge deeply, anything else replaces, and an
// explicit null deletes the key.
func coalesce(base, override map[string]interface{}) map[string]interface{} {
	merged := map[string]interface{}{}
	for k, v := range base {
		merged[k] = v
	}
	for k, v := range override {
		if v == nil {
			delete(merged, k)
			continue
		}
		baseMap, okBase := merged[k].(map[string]interface{})
		overMap, okOver := v.(map[string]interface{})
		if okBase && okOver {
			merged[k] = coalesce(baseMap, overMap)
		} else {
			merged[k] = v
		}
	}
	return merged
}

func loadTemplates(chartDir, chartName string) (map[string]string, error) {
	templates := map[string]string{}
	dir := filepath.Join(chartDir, "templates")
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		templates[path.Join(chartName, "templates", filepath.ToSlash(rel))] = string(data)
		return nil
	})
	return templates, err
}

// Files is .Files: every chart file outside templates/ except Chart.yaml, keyed by relative path.
type Files map[string][]byte

func loadFiles(chartDir string) (Files, error) {
	files := Files{}
	err := filepath.WalkDir(chartDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(chartDir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "templates" || rel == "charts" {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == "Chart.yaml" || rel == ".helmignore" {
			return nil
		}
		data, err := os.ReadFile(p)
		files[rel] = data
		return err
	})
	return files, err
}

func (f Files) Get(name string) string      { return string(f[name]) }
func (f Files) GetBytes(name string) []byte { return f[name] }

func (f Files) Glob(pattern string) Files {
	matched := Files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			matched[name] = data
		}
	}
	return matched
}

func (f Files) AsConfig() string {
	if len(f) == 0 {
		return ""
	}
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	return toYAML(m)
}

func (f Files) Lines(name string) []string {
	if f[name] == nil {
		return []string{}
	}
	return strings.Split(string(f[name]), "\n")
}

// toYAML matches Helm's (sigs.k8s.io/yaml): through JSON, so keys are sorted and struct tags are JSON's.
func toYAML(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var generic interface{}
	if err := yaml2.Unmarshal(data, &generic); err != nil {
		return ""
	}
	out, err := yaml2.Marshal(generic)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

func fromYAML(text string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml3.Unmarshal([]byte(text), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(text string) []interface{} {
	var a []interface{}
	if err := yaml3.Unmarshal([]byte(text), &a); err != nil {
		return []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSONArray(text string) []interface{} {
	var a []interface{}
	if err := json.Unmarshal([]byte(text), &a); err != nil {
		return []interface{}{err.Error()}
	}
	return a
}

func fromJSON(text string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

const maxIncludeDepth = 1000

func funcMap(root *template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	// Helm removes these so a chart renders the same on every machine.
	delete(f, "env")
	delete(f, "expandenv")

	depth := map[string]int{}
	f["include"] = func(name string, data interface{}) (string, error) {
		if depth[name] >= maxIncludeDepth {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		depth[name]++
		defer func() { depth[name]-- }()
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %v", text, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New(msg)
		}
		return v, nil
	}
	f["fail"] = func(msg string) (string, error) { return "", errors.New(msg) }
	f["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["fromYamlArray"] = fromYAMLArray
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["fromJsonArray"] = fromJSONArray
	return f
}
