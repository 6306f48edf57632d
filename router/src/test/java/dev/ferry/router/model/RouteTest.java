package dev.ferry.router.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTest {

    private static Candidate fits(String id, double score, double backlog) {
        return new Candidate(id, "s", true, true, score, backlog, List.of());
    }

    private static Candidate full(String id, double backlog) {
        return new Candidate(id, "s", true, false, -0.1, backlog, List.of());
    }

    private static Candidate loser(String id) {
        return new Candidate(id, "s", false, false, Double.NaN, Double.NaN, List.of("pool is DOWN"));
    }

    @Test
    void triesTheBestPoolThatFitsThenTheNextThenWaitsInTheRoomiestQueue() {
        MatchResult match = new MatchResult(List.of(fits("a", 0.5, 0.5), fits("b", 0.3, 0.3), full("c", -0.1)), Set.of());

        assertThat(Route.next(match, Set.of(), Map.of())).isEqualTo(new Route.Try(fits("a", 0.5, 0.5)));
        assertThat(Route.next(match, Set.of("a"), Map.of())).isEqualTo(new Route.Try(fits("b", 0.3, 0.3)));
        assertThat(Route.next(match, Set.of("a", "b"), Map.of())).isEqualTo(new Route.Wait(fits("a", 0.5, 0.5)));
    }

    @Test
    void waitsAtOnceWhenOnlyOnePoolIsEligibleOrTheLastTryIsAlsoTheBestQueue() {
        assertThat(Route.next(new MatchResult(List.of(full("only", 0), loser("x")), Set.of()), Set.of(), Map.of()))
                .isEqualTo(new Route.Wait(full("only", 0)));
        MatchResult match = new MatchResult(List.of(fits("a", 0.5, 0.5), full("b", 0.1)), Set.of());
        assertThat(Route.next(match, Set.of(), Map.of())).isEqualTo(new Route.Wait(fits("a", 0.5, 0.5)));
    }

    @Test
    void rejectsWhenNothingIsEligibleOrEveryEligiblePoolTurnedItAway() {
        MatchResult none = new MatchResult(List.of(loser("x")), Set.of());
        assertThat(Route.next(none, Set.of(), Map.of())).isEqualTo(new Route.Reject("no pool can run this pod: x (s): pool is DOWN"));

        MatchResult two = new MatchResult(List.of(fits("a", 0.5, 0.5), fits("b", 0.2, 0.2)), Set.of());
        assertThat(Route.next(two, Set.of(), Map.of("a", "pool is DOWN", "b", "pool is DRAINING")))
                .isEqualTo(new Route.Reject("no pool can run this pod now: a: pool is DOWN; b: pool is DRAINING"));
        assertThat(Route.next(two, Set.of(), Map.of("a", "pool is DOWN"))).isEqualTo(new Route.Wait(fits("b", 0.2, 0.2)));
    }
}
