// snarkjs 0.7.6's in-process Groth16 prover, timed: `groth16.prove` through its JS API on a
// zkey and a witness held in memory (file reading is not timed), after one warm-up proof
// (which builds the curve's WebAssembly and worker threads).
//
//   node benches/snarkjs_prove.js SNARKJS_DIR ZKEY WTNS [RUNS]   # prints the median, ms
//   node benches/snarkjs_prove.js SNARKJS_DIR ZKEY WTNS serve    # one proof per stdin line,
//                                                                # prints its ms
//
// SNARKJS_DIR is the npm prefix snarkjs is installed under (target/tmp/veil-npm/snarkjs, as
// cli/tests/interop.rs installs it). `serve` lets benches/ark_compare.rs interleave snarkjs
// proofs with its own, so that load from other processes hits both alike.
const path = require("path");
const fs = require("fs");
const readline = require("readline");

async function main() {
  const [dir, zkeyPath, wtnsPath, mode = "5"] = process.argv.slice(2);
  if (!dir || !zkeyPath || !wtnsPath) {
    console.error("usage: snarkjs_prove.js SNARKJS_DIR ZKEY WTNS [RUNS|serve]");
    process.exit(2);
  }
  const snarkjs = require(path.join(path.resolve(dir), "node_modules", "snarkjs"));
  const zkey = { type: "mem", data: new Uint8Array(fs.readFileSync(zkeyPath)) };
  const wtns = { type: "mem", data: new Uint8Array(fs.readFileSync(wtnsPath)) };
  const once = async () => {
    const t = process.hrtime.bigint();
    const { proof } = await snarkjs.groth16.prove(zkey, wtns);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (!proof || !proof.pi_a) throw new Error("no proof");
    return ms;
  };
  await once(); // warm-up
  if (mode === "serve") {
    console.log("ready");
    const rl = readline.createInterface({ input: process.stdin });
    for await (const _line of rl) {
      console.log((await once()).toFixed(1));
    }
  } else {
    const runs = Math.max(1, parseInt(mode, 10) || 5);
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await once());
    times.sort((a, b) => a - b);
    const m = times.length % 2 ? times[(times.length - 1) / 2]
      : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
    console.log(JSON.stringify({ runs, median_ms: +m.toFixed(1), all_ms: times.map((x) => +x.toFixed(1)) }));
  }
  process.exit(0); // snarkjs's curve keeps worker threads alive
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
