#!/usr/bin/env node
// `kubectl flanctl …` (kubectl plugin convention: an executable named kubectl-flanctl on PATH, run with the
// arguments after `flanctl`). Same CLI as bin/run.js; --kubeconfig / --context go after the plugin name
// (`kubectl flanctl collect --all --kube --context prod -o DIR`) and KUBECONFIG is inherited from kubectl.
import './run.js';
