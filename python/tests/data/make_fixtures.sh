#!/usr/bin/env bash
# Regenerates the CLI outputs that the pytest suite compares the Python package with (values
# from the `ntk` command line, not from the package itself). Run from anywhere after
# `cargo build --release`:  python/tests/data/make_fixtures.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ntk="$here/../../../target/release/ntk"
cd "$here"
"$ntk" kernel --arch resnet --depth 10 --alpha 0.1 --dim 16 --u=-1,-0.999,-0.5,0,0.3,0.9,0.99999,1 > kernel_resnet.json
"$ntk" kernel --arch mlp --depth 3 --sigma-b2 0.5 --kind nngp --dim 4 --theta 0,0.5,1,2,3.141592653589793 --normalize > kernel_mlp_nngp.json
"$ntk" kernel --net '{"layers": [{"dense": {}}, {"activation": {"erf": {"a": 2}}}, {"dense": {}}, {"residual": {"alpha": 0.5, "branch": [{"dense": {}}, {"activation": {"gelu": {}}}, {"dense": {}}]}}, {"dense": {}}]}' --dim 5 --u=-0.7,0,0.4,1 > kernel_net.json
"$ntk" gram --arch resnet --depth 4 --alpha 0.5 --input points.csv > gram_resnet.json
"$ntk" gram --arch mlp --depth 2 --sigma-b2 0.3 --input points.csv --input2 points2.csv > gram_mlp_bias.json
"$ntk" spectrum --arch mlp --depth 2 --dim 3 --kmax 8 > spectrum_mlp.json
"$ntk" spectrum --arch resnet --depth 5 --alpha 0.5 --dim 10 --kmax 6 --normalize > spectrum_resnet.json
"$ntk" decay --arch resnet --depth 3 --alpha 1 --dim 4 > decay_resnet.json
"$ntk" series --arch mlp --depth 2 --at 1 --order 4 --exact > series_mlp_exact.json
"$ntk" series --arch resnet --depth 2 --alpha 0.5 --at 0 --order 5 > series_resnet_t0.json
"$ntk" expr --arch resnet --depth 1 --alpha 0.5 --dim 3 > expr_resnet.json
"$ntk" compare --net '{"layers": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}]}' --net '{"layers": [{"dense": {}}, {"residual": {"alpha": 0.5, "branch": [{"dense": {}}, {"activation": {"relu": {}}}, {"dense": {}}]}}, {"dense": {}}]}' --dim 3 --angles 7 > compare_nets.json
