// Every flanctl command, by id: oclif's explicit command strategy (package.json oclif.commands) reads this map, so
// no command is found by scanning a directory and the single binary (bin/binary.js) can carry them all in one file.
// A new command is added here as well as in its own file.
import Collect from './collect.js';
import Decode from './decode.js';
import Doctor from './doctor.js';
import PodVeth from './pod-veth.js';
import Probe from './probe.js';
import ProbeSend from './probe-send.js';
import Repair from './repair.js';
import Show from './show.js';
import Trace from './trace.js';
import Whohas from './whohas.js';

export default {
  collect: Collect,
  decode: Decode,
  doctor: Doctor,
  'pod-veth': PodVeth,
  probe: Probe,
  'probe-send': ProbeSend,
  repair: Repair,
  show: Show,
  trace: Trace,
  whohas: Whohas,
};
