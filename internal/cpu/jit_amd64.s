#include "textflag.h"
#include "funcdata.h"
#include "go_asm.h"

// func jitCall(code uintptr, h *Hart, tlb *tlbSet, ctx *jitCtx, tag, wtag uint64)
//
// Calls the machine code at code with the hart in R15, its TLB set in R14, the
// context in R13 and the tags in R12 and R11, with MXCSR's exception flags clear (Go
// code may have set them), and stores MXCSR after it in ctx.mx, whose flags are then
// the guest's (jitRun adds them to fflags). The code uses no stack but the return
// address this CALL pushes, and may change every general register but SP and BP:
// those that Go code after an ABI0 call relies on (R14, the g register of the
// internal ABI, and R15) are saved in the frame.
TEXT ·jitCall(SB), 0, $16-48
	NO_LOCAL_POINTERS
	MOVQ R14, 0(SP)
	MOVQ R15, 8(SP)
	MOVQ code+0(FP), AX
	MOVQ h+8(FP), R15
	MOVQ tlb+16(FP), R14
	MOVQ ctx+24(FP), R13
	MOVQ tag+32(FP), R12
	MOVQ wtag+40(FP), R11
	STMXCSR jitCtx_mx(R13)
	MOVL jitCtx_mx(R13), BX
	TESTL $0x3f, BX
	JEQ clean
	ANDL $~0x3f, BX
	MOVL BX, jitCtx_mx(R13)
	LDMXCSR jitCtx_mx(R13)
clean:
	CALL AX
	STMXCSR jitCtx_mx(R13)
	MOVQ 0(SP), R14
	MOVQ 8(SP), R15
	RET

// func jitCPUID(leaf uint32) (ecx uint32)
TEXT ·jitCPUID(SB), NOSPLIT, $0-12
	MOVL leaf+0(FP), AX
	XORL CX, CX
	CPUID
	MOVL CX, ecx+8(FP)
	RET
