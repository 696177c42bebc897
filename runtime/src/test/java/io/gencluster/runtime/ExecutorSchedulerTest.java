package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExecutorSchedulerTest {

    @Test
    void tasksRunOnTheNamedThreadAndCloseStopsIt() throws Exception {
        BlockingQueue<Thread> ran = new ArrayBlockingQueue<>(4);
        ExecutorScheduler scheduler = new ExecutorScheduler("gencluster-refresh");
        scheduler.execute(() -> ran.add(Thread.currentThread()));
        Thread loop = ran.poll(5, TimeUnit.SECONDS);
        assertNotNull(loop);
        assertEquals("gencluster-refresh", loop.getName());

        Scheduler.Timer cancelled = scheduler.schedule(() -> ran.add(Thread.currentThread()), Duration.ofMillis(50));
        cancelled.cancel();
        scheduler.schedule(() -> ran.add(Thread.currentThread()), Duration.ofMillis(100));
        assertEquals(loop, ran.poll(5, TimeUnit.SECONDS), "the timer that was not cancelled ran");
        assertNull(ran.poll(200, TimeUnit.MILLISECONDS), "the cancelled one did not");

        scheduler.close();
        loop.join(5_000);
        assertFalse(loop.isAlive(), "no leaked thread");
        scheduler.execute(() -> ran.add(Thread.currentThread())); // ignored once closed, no exception
    }
}
