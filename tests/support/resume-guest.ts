// Run in a child process by tests/engine.test.ts: guest code calls an export whose JS
// implementation asks to resume at a CONTEXT elsewhere; prints what the landing code saw.
import { Asm, R } from '../../src/native/emitter.js';
import { emitThunk, Engine } from '../../src/native/engine.js';
import { CONTEXT, TEB, THREAD_BLOCK_SIZE, WR } from '../../src/native/layout.js';
import { AddressSpace } from '../../src/native/memory.js';
import { PAGE_EXECUTE_READWRITE, PAGE_READWRITE } from '../../src/native/memprotect.js';

const mem = new AddressSpace();
const engine = new Engine(mem);
const teb = mem.allocate(0, THREAD_BLOCK_SIZE, true, PAGE_READWRITE);
const stack = mem.allocate(0, 0x10000, true, PAGE_READWRITE);
mem.setU64(teb + TEB.Self, teb); // the dispatch stub finds its save-area stack through it
mem.setU64(teb + WR.GuestRsp, stack + 0x10000 - 0x40);
// Every thread starts with the default floating-point environment (the thunks switch to it).
mem.setU32(teb + WR.GuestMxcsr, 0x1f80);
mem.setU32(teb + WR.HostMxcsr, 0x1f80);
const code = mem.allocate(0, 0x1000, true, PAGE_EXECUTE_READWRITE);
const context = mem.allocate(0, 0x1000, true, PAGE_READWRITE);

// thunk (id 0) at code; entry: reserve a frame, call the thunk, trap if it ever returns;
// landing: RAX + RBX, return to call_guest with XMM0 untouched.
const a = new Asm();
emitThunk(a, 0, false, engine.stubAddr, code);
a.align(16);
const entry = a.length;
a.subImm(R.rsp, 40);
a.raw(0xe8);
const rel = -(a.length + 4);
a.raw(rel, rel >> 8, rel >> 16, rel >> 24);
a.int3();
a.align(16);
const landing = a.length;
a.raw(0x48, 0x01, 0xd8); // add rax, rbx
a.ret();
mem.write(code, a.bytes());

let calls = 0;
mem.setU64(
  teb + WR.Dispatch,
  engine.registerDispatcher(() => {
    calls++;
    const rsp = mem.ptr(teb + WR.GuestRsp); // points at the return address into `entry`
    mem.fill(context, 0, CONTEXT.Size);
    mem.setU32(context + CONTEXT.MxCsr, 0x1f80);
    mem.setU32(context + CONTEXT.EFlags, 0x202);
    mem.setU64(context + CONTEXT.Rip, code + landing);
    mem.setU64(context + CONTEXT.Rsp, rsp + 8 + 40); // entry's RSP at its start: [rsp] = return into call_guest
    mem.setU64(context + CONTEXT.Rax, 42);
    mem.setU64(context + CONTEXT.Rbx, 7);
    mem.setF64(context + CONTEXT.Xmm0, 2.5);
    mem.setU64(teb + WR.ResumeContext, context);
    return 0;
  }),
);
engine.enterThread(teb);
const r = engine.callGuest(code + entry, stack + 0x8000);
process.stdout.write(`calls=${calls} rax=${r} xmm0=${mem.f64(teb + WR.RetXmm0)} slot=${mem.u64(teb + WR.ResumeContext)}\n`);
