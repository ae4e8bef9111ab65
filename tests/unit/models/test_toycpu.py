"""The toy CPU and its monitors: trap counts, Popek-Goldberg failures and their fixes."""

from __future__ import annotations

import dataclasses
import re

import pytest

from widgets.models import toycpu, toyisa
from widgets.models.toycpu import MODES, expected_traps, random_program, run_native, run_virtualized
from widgets.models.toyisa import PRIVILEGED, Instruction, Program, parse_program
from widgets.models.toyprograms import EXAMPLES, simulate_kvm_guest

COUNTDOWN = EXAMPLES["print-countdown"]


POPF_GUEST = EXAMPLES["disable-interrupts-with-popf"]


WHO_AM_I = EXAMPLES["who-am-i"]


CLI_STI_HEAVY = """
        LOAD 5
loop:   CLI          ; five short critical sections
        STI
        SUB 1
        JNZ loop
        OUT
        HLT
"""


def test_native_countdown_prints_3_2_1_and_halts():
    run = run_native(COUNTDOWN)
    assert run.output == (3, 2, 1)
    assert run.halted and run.stopped_reason == "halted"
    assert run.steps == 11 == len(run.trace)  # LOAD, 3 x (OUT, SUB, JNZ), HLT
    assert run.cycles == 11 * toycpu.DIRECT_COST
    assert run.final_state.mode == "kernel" and run.final_state.acc == 0


def test_native_popf_really_disables_interrupts():
    assert run_native(POPF_GUEST).final_state.interrupts_enabled is False


def test_accumulator_wraps_at_256():
    assert run_native("LOAD 0\nSUB 1\nHLT").final_state.acc == 255
    assert run_native("LOAD 250\nADD 10\nHLT").final_state.acc == 4


def test_countdown_traps_counted_exactly():
    run = run_virtualized(COUNTDOWN, trap_cost=50)
    assert run.traps == {"OUT": 3, "HLT": 1}
    assert run.total_traps == 4
    # 7 instructions run directly (LOAD, 3 SUB, 3 JNZ) at 1 cycle, 4 traps at 50.
    assert run.cycles == 7 * 1 + 4 * 50
    assert run.output == (3, 2, 1) and run.equivalent and run.divergences == ()


def test_trap_cost_scales_cycles_only_for_traps():
    cheap = run_virtualized(COUNTDOWN, trap_cost=0)
    dear = run_virtualized(COUNTDOWN, trap_cost=1000)
    assert dear.cycles - cheap.cycles == 4 * 1000
    assert cheap.output == dear.output


def test_every_privileged_instruction_traps_in_user_mode():
    program = parse_program("CLI\nSTI\nSETPT 7\nLOAD 1\nOUT\nNOP\nHLT")
    run = run_virtualized(program)
    assert run.traps == {"CLI": 1, "STI": 1, "SETPT": 1, "OUT": 1, "HLT": 1}
    assert {s.instruction.split()[0] for s in run.trace if s.event == "trap"} <= PRIVILEGED
    assert run.final_state.page_table_base == 7  # emulated on the virtual CPU
    out_step = next(s for s in run.trace if s.instruction == "OUT")
    assert out_step.outcome == "trap → monitor emulated OUT (guest printed 1)"
    assert next(s for s in run.trace if s.instruction == "NOP").outcome.startswith("executed directly")


def test_popf_that_does_not_trap_breaks_the_guest():
    run = run_virtualized(POPF_GUEST)  # classic x86: POPF is not privileged
    assert run.equivalent is False
    assert run.final_state.interrupts_enabled is True  # the guest thinks it disabled them
    assert any("IF" in d and "POPF did not trap" in d for d in run.divergences)
    assert "POPF" not in run.traps
    assert run.trace[0].event == "no-trap"
    assert run.trace[0].outcome.startswith("sensitive, did not trap: IF unchanged!")


def test_trapping_popf_restores_equivalence():
    run = run_virtualized(POPF_GUEST, trapping={"POPF"})
    assert run.equivalent and run.divergences == ()
    assert run.final_state.interrupts_enabled is False
    assert run.traps["POPF"] == 1


def test_rdmode_reveals_user_mode_unless_it_traps():
    broken = run_virtualized(WHO_AM_I)
    assert run_native(WHO_AM_I).output == (75,)  # 'K'
    assert broken.output == (85,)  # 'U': the guest found out it is not in kernel mode
    assert not broken.equivalent
    assert any("RDMODE did not trap" in d for d in broken.divergences)
    fixed = run_virtualized(WHO_AM_I, trapping=frozenset({"RDMODE"}))
    assert fixed.output == (75,) and fixed.equivalent


def test_making_both_sensitive_instructions_trap_makes_every_example_equivalent():
    for name, program in EXAMPLES.items():
        assert run_virtualized(program, trapping={"POPF", "RDMODE"}).equivalent, name


def test_binary_translation_restores_equivalence_without_traps():
    for program in (POPF_GUEST, WHO_AM_I):
        run = run_virtualized(program, mode="binary-translation")
        assert run.equivalent, run.divergences
        assert run.total_traps == 0
    run = run_virtualized(COUNTDOWN, mode="binary-translation")
    assert run.translations == 2  # OUT and HLT rewritten once, before running
    assert run.cycles == (2 * toycpu.BT_TRANSLATE_COST + 7 * toycpu.DIRECT_COST + 4 * toycpu.BT_CALL_COST)
    assert sum(s.event == "translated" for s in run.trace) == 4


def test_hardware_assisted_exits_only_on_io_and_hlt():
    trap = run_virtualized(CLI_STI_HEAVY, mode="trap-and-emulate")
    hw = run_virtualized(CLI_STI_HEAVY, mode="hardware-assisted")
    assert trap.traps == {"CLI": 5, "STI": 5, "OUT": 1, "HLT": 1}
    assert hw.traps == {"OUT": 1, "HLT": 1}
    assert hw.total_traps < trap.total_traps
    assert hw.cycles < trap.cycles
    assert hw.equivalent and trap.equivalent
    assert run_virtualized(POPF_GUEST, mode="hardware-assisted").equivalent


def test_infinite_loop_stops_at_max_steps():
    run = run_virtualized("loop: LOAD 1\nJNZ loop", max_steps=500)
    assert run.steps == 500 and not run.halted
    assert run.stopped_reason == "step limit reached after 500 steps: the guest never halted"
    assert run.equivalent  # natively it never halts either
    assert not run_native("loop: LOAD 1\nJNZ loop", max_steps=7).halted


def test_program_without_hlt_runs_off_the_end():
    run = run_native("LOAD 1\nOUT")
    assert not run.halted and "ran off the end" in run.stopped_reason


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("LOAD 3\nFROB 2\nHLT", "line 2: unknown instruction 'FROB'"),
        ("NOP\n\nLOAD", "line 3: LOAD needs one operand"),
        ("HLT 4", "line 1: HLT takes no operand"),
        ("LOAD three", "line 1: LOAD needs a whole number, got 'three'"),
        ("LOAD 256", "line 1: LOAD operand must be a whole number from 0 to 255, got 256"),
        ("POPF 2", "line 1: POPF operand must be a whole number from 0 to 1"),
        ("; comment\nJNZ nowhere\nHLT", "line 2: JNZ target 'nowhere' is not a label"),
        ("JNZ 9\nHLT", "line 1: JNZ operand must be an address from 0 to 1"),
        ("a: NOP\na: HLT", "line 2: label 'a' is defined twice (first on line 1)"),
    ],
)
def test_parse_errors_name_the_line(text, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_program(text)


@pytest.mark.parametrize("text", ["", "   \n; only a comment\n", "lonely:"])
def test_empty_program_is_refused(text):
    with pytest.raises(ValueError, match="program must have at least one instruction"):
        parse_program(text)


def test_parse_accepts_comments_labels_and_case():
    program = parse_program("start: load 2 ; two\n  loop: out\n sub 1\n jnz loop\n hlt")
    assert [str(i) for i in program.instructions] == ["LOAD 2", "OUT", "SUB 1", "JNZ loop", "HLT"]
    assert program.instructions[3] == Instruction("JNZ", 1, "loop")
    assert dict(program.labels) == {"start": 0, "loop": 1}


def test_program_text_round_trips():
    for program in [*EXAMPLES.values(), random_program(3, 20)]:
        assert parse_program(program.text) == program
    assert "loop:   OUT" in COUNTDOWN.text


def test_program_constructor_validates_too():
    with pytest.raises(ValueError, match="at least one instruction"):
        Program(())
    with pytest.raises(ValueError, match="instruction 0: unknown instruction"):
        Program((Instruction("JMP"),))
    with pytest.raises(ValueError, match="instruction 1: JNZ operand must be an address"):
        Program((Instruction("NOP"), Instruction("JNZ", 5)))


def test_random_program_is_deterministic_per_seed_and_varies_across_seeds():
    assert random_program(42) == random_program(42)
    assert random_program(42).text == random_program(42).text
    assert len({random_program(seed).text for seed in range(20)}) >= 15


@pytest.mark.parametrize("length", [4, 5, 7, 8, 16, 64])
def test_random_programs_halt_and_mix_all_kinds(length):
    for seed in range(60):
        program = random_program(seed, length)
        ops = {i.op for i in program.instructions}
        assert len(program.instructions) == length
        assert ops & toyisa.ORDINARY and ops & (PRIVILEGED - {"HLT"})
        assert ops & toyisa.SENSITIVE_UNPRIVILEGED
        assert run_native(program).halted, program.text


@pytest.mark.parametrize("trapping", [frozenset(), {"POPF"}, {"RDMODE"}, {"POPF", "RDMODE"}])
def test_expected_traps_matches_the_monitor(trapping):
    for seed in range(150):
        program = random_program(seed, 4 + seed % 20)
        answer = expected_traps(program, trapping=trapping)
        assert answer == run_virtualized(program, trapping=trapping).total_traps
        # Worked out independently from the native trace (random programs never
        # branch on what a sensitive instruction returns, so both take the same path):
        trapping_ops = PRIVILEGED | {t.upper() for t in trapping}
        by_hand = sum(s.instruction.split()[0] in trapping_ops for s in run_native(program).trace)
        assert answer == by_hand, program.text


def test_expected_traps_on_hand_worked_programs():
    assert expected_traps(COUNTDOWN) == 4
    assert expected_traps(POPF_GUEST) == 2
    assert expected_traps(POPF_GUEST, trapping={"POPF"}) == 3
    assert expected_traps(CLI_STI_HEAVY) == 12


def test_simulated_kvm_guest_matches_the_lab_shape():
    run = simulate_kvm_guest("Hi!\n")
    assert run.output == "Hi!\n"
    assert run.exits == {"IO": 4, "HLT": 1} and run.total_exits == 5
    assert run.simulated is True and run.halted and run.stopped_reason == "halted"
    assert run.setup_ms is None and run.run_ms is None and run.total_ms is None
    assert run.simulated_cycles == 4 * toycpu.DIRECT_COST + 5 * toycpu.DEFAULT_TRAP_COST
    assert run.log[0] == "exit #1: IO out port 0x3f8 byte 0x48 'H'"
    assert run.log[-1] == "exit #5: HLT: the guest halted"


def test_simulated_kvm_guest_validates_like_the_lab():
    for bad in ("", "é", "x" * 201, 42):
        with pytest.raises(ValueError, match="message"):
            simulate_kvm_guest(bad)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"max_steps": -1}, "max_steps must be a whole number from 1"),
        ({"max_steps": 0}, "max_steps"),
        ({"max_steps": True}, "max_steps"),
        ({"max_steps": 10.0}, "max_steps"),
        ({"trap_cost": float("nan")}, "trap_cost"),
        ({"trap_cost": -5}, "trap_cost"),
        ({"trap_cost": 2.5}, "trap_cost"),
        ({"trap_cost": True}, "trap_cost"),
        ({"mode": "paravirt"}, "mode must be one of 'trap-and-emulate'"),
        ({"trapping": "POPF"}, "trapping must be a set"),
        ({"trapping": {"OUT"}}, "trapping may only name POPF and RDMODE"),
        ({"trapping": {3}}, "trapping may only name"),
    ],
)
def test_run_virtualized_refuses_hostile_inputs(kwargs, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        run_virtualized(COUNTDOWN, **kwargs)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: run_native(None), "program must be a Program"),
        (lambda: run_native(COUNTDOWN, max_steps=-3), "max_steps"),
        (lambda: parse_program(b"HLT"), "program text must be a string"),
        (lambda: random_program(True), "seed must be a whole number"),
        (lambda: random_program(1.5), "seed"),
        (lambda: random_program(1, length=3), "length must be a whole number from 4 to 64"),
        (lambda: random_program(1, length=False), "length"),
        (lambda: expected_traps(COUNTDOWN, trapping={"HLT"}), "trapping may only name"),
    ],
)
def test_other_functions_refuse_hostile_inputs(call, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        call()


def test_results_are_frozen():
    run = run_virtualized(COUNTDOWN)
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.output = ()  # type: ignore[misc]
    assert run.native is not None and run.native.mode == "native"
    assert run.mode == MODES[0]
